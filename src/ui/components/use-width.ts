// The width Ink laid a Box out at, for components that must cut their own lines (see fitCells).
import { measureElement, type DOMElement } from 'ink';
import { useEffect, useRef, useState, type RefObject } from 'react';

/** [ref for the Box, its width once laid out (undefined on the first frame)] */
export function useWidth(): [RefObject<DOMElement | null>, number | undefined] {
  const ref = useRef<DOMElement | null>(null);
  const [width, setWidth] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (!ref.current) return;
    const w = measureElement(ref.current).width;
    if (w > 0 && w !== width) setWidth(w);
  });
  return [ref, width];
}
