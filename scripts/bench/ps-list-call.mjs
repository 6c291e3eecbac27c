// One ps-list call, as a user's Node script makes it: the comparison the issue names for
// `sshtop --json` (scripts/bench/startup.ts runs it as a whole process, start to exit).
import psList from 'ps-list';

await psList({ all: true });
