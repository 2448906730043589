import ort from 'onnxruntime-node';
import type { Feeds } from '@isoflop/models';

/** Wraps host feeds from the models package in ORT tensors without copying their data. */
export function toOrtFeeds(feeds: Feeds): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) {
    tensors[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
  }
  return tensors;
}

export function scalarFeed(value: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.of(value), []);
}
