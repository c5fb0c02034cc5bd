/** What every command gets: the validated settings and where its output goes. */
import type { Config } from '../config.js';
import type { Output } from '../output.js';

export interface CommandContext {
  config: Config;
  out: Output;
}
