// Turn a terminal screen captured with `tmux capture-pane -e -p` (text + SGR sequences) into an
// SVG image: one <text> per line, a <tspan> per run of equal attributes, <rect>s for backgrounds.

interface Attr {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

const PALETTE = [
  '#1e1e1e', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5',
  '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff',
];
const FG = '#d4d4d4';
const BG = '#1e1e1e';

function color256(n: number): string {
  if (n < 16) return PALETTE[n] as string;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

function applySgr(a: Attr, params: number[]): Attr {
  const next = { ...a };
  const p = params.length === 0 ? [0] : params;
  for (let i = 0; i < p.length; i++) {
    const n = p[i] as number;
    if (n === 0) Object.assign(next, { fg: null, bg: null, bold: false, dim: false, inverse: false });
    else if (n === 1) next.bold = true;
    else if (n === 2) next.dim = true;
    else if (n === 22) next.bold = next.dim = false;
    else if (n === 7) next.inverse = true;
    else if (n === 27) next.inverse = false;
    else if (n >= 30 && n <= 37) next.fg = PALETTE[n - 30] as string;
    else if (n >= 90 && n <= 97) next.fg = PALETTE[n - 90 + 8] as string;
    else if (n === 39) next.fg = null;
    else if (n >= 40 && n <= 47) next.bg = PALETTE[n - 40] as string;
    else if (n >= 100 && n <= 107) next.bg = PALETTE[n - 100 + 8] as string;
    else if (n === 49) next.bg = null;
    else if ((n === 38 || n === 48) && p[i + 1] === 5) {
      const c = color256(p[i + 2] ?? 0);
      if (n === 38) next.fg = c;
      else next.bg = c;
      i += 2;
    } else if ((n === 38 || n === 48) && p[i + 1] === 2) {
      const c = `rgb(${p[i + 2] ?? 0},${p[i + 3] ?? 0},${p[i + 4] ?? 0})`;
      if (n === 38) next.fg = c;
      else next.bg = c;
      i += 4;
    }
  }
  return next;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ansiToSvg(screen: string, opts: { columns: number; title?: string }): string {
  const cw = 8.4;
  const lh = 18;
  const pad = 12;
  const lines = screen.replace(/\n$/, '').split('\n');
  const width = Math.ceil(opts.columns * cw + pad * 2);
  const height = lines.length * lh + pad * 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    opts.title ? `<title>${escapeXml(opts.title)}</title>` : '',
    `<rect width="100%" height="100%" fill="${BG}" rx="6"/>`,
    `<g font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="14px" xml:space="preserve">`,
  ];
  let attr: Attr = { fg: null, bg: null, bold: false, dim: false, inverse: false };
  lines.forEach((line, row) => {
    const y = pad + row * lh;
    const spans: string[] = [];
    let col = 0;
    let run = '';
    let runStart = 0;
    let runCols = 0;
    const flush = () => {
      if (run === '') return;
      const fg = attr.inverse ? (attr.bg ?? BG) : (attr.fg ?? FG);
      const bg = attr.inverse ? (attr.fg ?? FG) : attr.bg;
      if (bg) out.push(`<rect x="${(pad + runStart * cw).toFixed(1)}" y="${y}" width="${(runCols * cw).toFixed(1)}" height="${lh}" fill="${bg}"/>`);
      const style = `${attr.bold ? ' font-weight="bold"' : ''}${attr.dim ? ' opacity="0.6"' : ''}`;
      spans.push(`<tspan x="${(pad + runStart * cw).toFixed(1)}" fill="${fg}"${style}>${escapeXml(run)}</tspan>`);
      run = '';
      runCols = 0;
    };
    const re = /\u001b\[([0-9;]*)m|([^\u001b]+)|\u001b[^m]*?[A-Za-z]/gu;
    for (const m of line.matchAll(re)) {
      if (m[1] !== undefined) {
        flush();
        attr = applySgr(attr, m[1] === '' ? [] : m[1].split(';').map(Number));
      } else if (m[2] !== undefined) {
        for (const ch of m[2]) {
          if (run === '') runStart = col;
          run += ch;
          runCols++;
          col++;
        }
      }
    }
    flush();
    out.push(`<text y="${y + 14}">${spans.join('')}</text>`);
  });
  out.push('</g></svg>');
  return out.filter(Boolean).join('\n') + '\n';
}
