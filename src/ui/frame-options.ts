// How Ink draws the live screen; the benchmark's in-process ticks draw the same way. No Ink import
// here: Ink reads CI once when it loads, and the CLI clears CI before it does.

/**
 * incrementalRendering: a frame writes only the lines that changed (with the patched ink.js, also
 * when the screen is as tall as the terminal). maxFps: a held key or a burst of polls draws at
 * most 20 frames a second; a lone key is still drawn at once (Ink's throttle leads).
 */
export const FRAME_OPTIONS = { incrementalRendering: true, maxFps: 20 } as const;
