import { ModelError } from '../errors.js';
import type { Family } from '../types.js';
import { arm } from './arm.js';
import type { FamilyModule } from './family-module.js';
import { mdmPrimeV2 } from './mdm-prime-v2.js';
import { mdm } from './mdm.js';

/** The one place a family name selects its module. */
export const FAMILY_MODULES: Readonly<Record<Family, FamilyModule>> = {
  arm,
  mdm,
  'mdm-prime-v2': mdmPrimeV2,
};

/** The module of `family`; unknown names (from unchecked input) are an INVALID_CONFIG on `family`. */
export function familyModule(family: Family): FamilyModule {
  if (!Object.hasOwn(FAMILY_MODULES, family)) {
    const names = Object.keys(FAMILY_MODULES).map((name) => `'${name}'`);
    throw new ModelError(
      'INVALID_CONFIG',
      'family',
      `expected ${names.slice(0, -1).join(', ')} or ${names.at(-1)}, got ${String(family)}`,
    );
  }
  return FAMILY_MODULES[family];
}
