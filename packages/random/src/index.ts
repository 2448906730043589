export { Xoshiro128 } from './xoshiro128.js';
