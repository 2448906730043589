import { describe, expect, it } from 'vitest';
import { statusForCode } from './error-handler.js';

describe('statusForCode', () => {
  it('answers the status each code declares, and 500 for codes that declare none or are unknown', () => {
    const expected = {
      INVALID_SPEC: 400,
      INVALID_REQUEST: 400,
      FST_ERR_VALIDATION: 400,
      FST_ERR_CTP_INVALID_JSON_BODY: 400,
      FST_ERR_CTP_EMPTY_JSON_BODY: 400,
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
      UNAUTHORIZED: 401,
      SWEEP_NOT_FOUND: 404,
      FIT_NOT_READY: 404,
      RUN_NOT_FOUND: 404,
      CHART_NOT_FOUND: 404,
      FST_ERR_NOT_FOUND: 404,
      NO_COORDINATOR: 409,
      FST_ERR_CTP_BODY_TOO_LARGE: 413,
      FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
      FIT_FAILED: 500,
      ASSET_MISSING: 500,
      OPEN_FAILED: 500,
      NOT_A_CODE: 500,
    };
    for (const [code, status] of Object.entries(expected)) {
      expect([code, statusForCode(code)]).toEqual([code, status]);
    }
    expect(statusForCode(undefined)).toBe(500);
  });
});
