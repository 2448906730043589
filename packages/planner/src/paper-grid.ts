import type { Family } from './run-spec.js';

export interface PaperSize {
  /** The paper's label, N = 12·d²·n_layers in millions. */
  label: string;
  nLayers: number;
  dModel: number;
  nHeads: number;
}

/**
 * The MDM and MDM-Prime-v2 grid of the paper's scaling study (paper-notes 7.2, from the Megatron
 * scripts' NLAYERS/NHIDDEN/NHEADS). SwiGLU hidden width is 4·d there.
 */
export const PAPER_DIFFUSION_GRID: readonly PaperSize[] = [
  { label: '14M', nLayers: 6, dModel: 448, nHeads: 7 },
  { label: '25M', nLayers: 8, dModel: 512, nHeads: 8 },
  { label: '36M', nLayers: 9, dModel: 576, nHeads: 9 },
  { label: '49M', nLayers: 10, dModel: 640, nHeads: 10 },
  { label: '64M', nLayers: 13, dModel: 640, nHeads: 10 },
  { label: '79M', nLayers: 16, dModel: 640, nHeads: 10 },
  { label: '106M', nLayers: 15, dModel: 768, nHeads: 12 },
  { label: '154M', nLayers: 16, dModel: 896, nHeads: 16 },
  { label: '201M', nLayers: 16, dModel: 1024, nHeads: 16 },
  { label: '252M', nLayers: 20, dModel: 1024, nHeads: 16 },
  { label: '354M', nLayers: 18, dModel: 1280, nHeads: 10 },
  { label: '413M', nLayers: 21, dModel: 1280, nHeads: 10 },
  { label: '571M', nLayers: 24, dModel: 1408, nHeads: 11 },
  { label: '771M', nLayers: 20, dModel: 1792, nHeads: 14 },
  { label: '1107M', nLayers: 22, dModel: 2048, nHeads: 16 },
  { label: '1529M', nLayers: 24, dModel: 2304, nHeads: 18 },
  { label: '2359M', nLayers: 30, dModel: 2560, nHeads: 20 },
  { label: '3426M', nLayers: 36, dModel: 2816, nHeads: 22 },
];

const ARM_ONLY: PaperSize = { label: '315M', nLayers: 16, dModel: 1280, nHeads: 10 };
const ARM_MISSING = new Set(['14M', '36M', '64M']);

/** The ARM grid lacks 14M, 36M and 64M but adds 315M (paper-notes 7.2). */
export const PAPER_ARM_GRID: readonly PaperSize[] = [
  ...PAPER_DIFFUSION_GRID.filter((size) => !ARM_MISSING.has(size.label)),
  ARM_ONLY,
].sort((a, b) => 12 * a.dModel ** 2 * a.nLayers - 12 * b.dModel ** 2 * b.nLayers);

export function paperGrid(family: Family): readonly PaperSize[] {
  return family === 'arm' ? PAPER_ARM_GRID : PAPER_DIFFUSION_GRID;
}

/** The paper doubles the global batch (256 -> 512) for its three largest models (paper-notes 7.1). */
const LARGE_BATCH = new Set(['1529M', '2359M', '3426M']);

export function paperBatchMultiplier(size: PaperSize): number {
  return LARGE_BATCH.has(size.label) ? 2 : 1;
}
