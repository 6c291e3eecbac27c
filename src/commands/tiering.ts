// V8 hands a function to its optimising compiler (TurboFan, on a background thread) once the
// function has run enough bytecode: its interrupt budget. A screen that polls once a second runs
// the same code a little at a time, so for its first minutes V8 kept optimising one function after
// another: in the busy bench world that thread used 9-10 ms/s of CPU, as much as the main thread
// (docs/performance.md). Four times the budget leaves that work to the code that is truly hot.
// Set at run time, not on node's command line: an unknown V8 flag there stops node from starting,
// while here it only prints a line; the flag has been in V8 for years.
import { setFlagsFromString } from 'node:v8';

/** four times V8's default (67,584 in Node 20 to 24) */
export const INTERRUPT_BUDGET = 4 * 67_584;

export interface Runtime {
  /** set under Bun, whose JavaScriptCore takes no V8 flags */
  bun?: string | undefined;
  setFlags(flags: string): void;
}

const here: Runtime = { bun: process.versions.bun, setFlags: setFlagsFromString };

/** under Node, a bigger interrupt budget for what runs from now on; under Bun nothing */
export function tierLazily(runtime: Runtime = here): void {
  if (runtime.bun !== undefined) return;
  runtime.setFlags(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
