// Which rows of a long list are on screen. Pure.

/** first row index of the window that keeps `selected` visible, centred where possible */
export function windowStart(total: number, selected: number, height: number): number {
  if (total <= height) return 0;
  const start = selected - Math.floor(height / 2);
  return Math.max(0, Math.min(total - height, start));
}
