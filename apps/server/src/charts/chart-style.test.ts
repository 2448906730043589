import { describe, expect, it } from 'vitest';
import { familyColor, familyPanels } from './chart-style.js';

describe('family panels', () => {
  it('put up to three in a row and wrap more into even rows', () => {
    const columns = (count: number) =>
      familyPanels(Array.from({ length: count }, (_, i) => `v${i}`)).columns;
    expect([1, 2, 3, 4, 5, 6, 7].map(columns)).toEqual([1, 2, 3, 2, 3, 3, 3]);
    expect(familyPanels([]).columns).toBe(1);
  });

  it('count a variant once however many rows carry it', () => {
    expect(familyPanels(['arm', 'arm', 'mdm']).columns).toBe(2);
  });
});

describe('family colours', () => {
  it('keep the families in their colours and give every other variant one of its own', () => {
    const withVariants = familyColor(['prime-k8', 'arm', 'prime-b2', 'prime-k8']).scale;
    const plain = familyColor([]).scale;
    expect(withVariants.domain).toEqual(['arm', 'mdm', 'mdm-prime-v2', 'prime-b2', 'prime-k8']);
    expect(withVariants.range.slice(0, 3)).toEqual(plain.range);
    expect(new Set(withVariants.range).size).toBe(5);
  });
});
