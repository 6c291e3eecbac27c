// Types of what scripts/release.mjs exports, for the TypeScript scripts that import it
// (scripts/bench/startup.ts). The script itself stays plain .mjs, so a release needs no compiler.
export const ROOT: string;
export const RELEASE_DIR: string;
export const VERSION: string;
export const DEB_ARCH: { x64: string; arm64: string };
export const ELF_MACHINE: { x64: string; arm64: string };
export function artifactName(arch: 'x64' | 'arm64'): string;
export function executablePath(arch: 'x64' | 'arm64'): string;
export function sourceDateEpoch(): number;
export function fetchPinned(pin: { package: string; version: string; integrity: string }): string;
export function pinnedBun(arch: 'x64' | 'arm64'): string;
export function bundle(stage: string): Promise<void>;
export function compile(stage: string, arch: 'x64' | 'arm64', outDir: string): void;
export function reproducibleTar(parent: string, name: string, tgz: string, epoch: number): void;
export function sha256(file: string): string;
