// The terminal's size, following resizes. Read from Ink's useStdout (not process.stdout), so a test
// can fake it; a fixed size (tests) is taken as given.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { Size } from './view/screen.js';

export function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return size;
}
