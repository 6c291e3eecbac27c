// The signals the menu offers, apart from the module that sends them: the UI imports these names,
// so watch mode, which never constructs a Signaller, never loads the code that calls process.kill.
export const SIGNALS = ['TERM', 'HUP', 'INT', 'KILL', 'STOP', 'CONT', 'USR1', 'USR2'] as const;
export type SignalName = (typeof SIGNALS)[number];
