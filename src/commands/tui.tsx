// Start the live UI: the polling store, the signaller (never in watch mode), the alternate screen,
// and a terminal that is restored on q, SIGINT, SIGTERM and uncaught errors.
import { hostname } from 'node:os';
import { render } from 'ink';
import type { CommonOptions } from '../cli/args.js';
import type { SnapshotSource } from '../proc/source.js';
import type { Signaller } from '../act/signal.js';
import { createCollector } from '../collect/collector.js';
import { createPollStore } from '../store/poll-store.js';
import { collectNowAndThen } from './heap.js';
import { tierLazily } from './tiering.js';
import { stdoutStream } from './stdout.js';
import { App } from '../ui/App.js';
import { FRAME_OPTIONS } from '../ui/frame-options.js';

const ENTER = '\u001b[?1049h\u001b[?25l';
const LEAVE = '\u001b[?25h\u001b[?1049l';

async function makeSignaller(): Promise<Signaller> {
  const [{ createSignaller }, { createAuditTrail }] = await Promise.all([import('../act/signal.js'), import('../act/audit.js')]);
  const audit = createAuditTrail({ tool: 'tui' });
  return createSignaller({ onSignal: (r) => audit.record(r), onIntent: (i) => audit.intent(i) });
}

export async function runTui(o: CommonOptions, source: SnapshotSource, readOnly: boolean): Promise<number> {
  // before the first poll: what it runs gets the bigger budget from the start
  tierLazily();
  // watch mode never constructs a signaller: no key can reach process.kill
  const signaller = readOnly ? undefined : await makeSignaller();
  // no poll waits for sshd -T or ss: they run in the background and the next poll has them
  const collector = createCollector(source, { ...o, user: undefined, filter: undefined });
  const store = createPollStore({
    intervalMs: o.intervalSeconds * 1000,
    deferStart: true,
    take: async (dStateSince) => (await collector.take({ dStateSince, background: true })).full,
  });

  const out = stdoutStream();
  const stopCollecting = collectNowAndThen();
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stopCollecting();
    store.stop();
    out.write(LEAVE);
  };
  // The first poll before the first frame, as htop reads before it draws: the first frame has the
  // sessions. Drawing a header first cost a whole cold render (React, yoga, Ink: 50-60 ms under
  // Bun) before the read, and held the frame with sessions back by about 150 ms (bench: 445 ->
  // 300 ms median, load 4). Until it is in, the terminal is left as it was.
  await store.start();
  out.write(ENTER);

  const instance = render(
    <App store={store} signaller={signaller} readOnly={readOnly} host={hostname()} color={o.color} sort={o.sort} filter={o.filter} user={o.user} />,
    { exitOnCtrlC: false, patchConsole: false, ...FRAME_OPTIONS },
  );
  const bail = (code: number) => () => {
    instance.unmount();
    restore();
    process.exit(code);
  };
  const onInt = bail(130);
  const onTerm = bail(143);
  const onHup = bail(129);
  const onCrash = (err: unknown) => {
    try {
      instance.unmount();
    } finally {
      restore();
      process.stderr.write(`sshtop: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    await instance.waitUntilExit();
  } finally {
    // what is typed after q is the shell's: stop reading the terminal before the last timers drain
    process.stdin.pause();
    restore();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  }
  return 0;
}
