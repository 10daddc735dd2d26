/**
 * Paths no search should see, whatever the ignore files say: dependencies, build output, VCS metadata, lockfiles,
 * minified bundles and binary formats. Matched by name, so the walk never enters these directories.
 */
import { SkipReason } from './skip-reason.js';

const VENDORED_DIRECTORIES = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'bower_components',
  'jspm_packages',
  'vendor',
  'third_party',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.gradle',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.turbo',
  '.parcel-cache',
  '.cache',
  '.terraform',
  '.idea',
  '.vscode-test',
]);

const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'cargo.lock',
  'gemfile.lock',
  'poetry.lock',
  'pipfile.lock',
  'uv.lock',
  'composer.lock',
  'go.sum',
  'mix.lock',
  'flake.lock',
  'pubspec.lock',
  'packages.lock.json',
  'podfile.lock',
]);

const GENERATED_SUFFIXES = ['.min.js', '.min.mjs', '.min.css', '.map', '.bundle.js', '.chunk.js'];

const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif bmp ico icns webp tiff psd svgz avif heic ' +
    'pdf doc docx xls xlsx ppt pptx odt ' +
    'zip gz tgz bz2 xz zst 7z rar tar jar war ear whl nupkg deb rpm dmg iso apk ' +
    'exe dll so dylib a o obj lib class pyc pyo pyd wasm node bin dat db sqlite sqlite3 ' +
    'woff woff2 ttf otf eot ' +
    'mp3 mp4 m4a wav ogg flac mov avi mkv webm ' +
    'onnx pt pth ckpt safetensors h5 pb tflite npy npz parquet arrow'
  ).split(' '),
);

/** The reason a directory is never entered, by its name. */
export function vendoredDirectory(name: string): SkipReason | undefined {
  return VENDORED_DIRECTORIES.has(name) ? SkipReason.VENDORED : undefined;
}

/** The reason a file is skipped by its name alone, before anything is read. */
export function excludedByName(name: string): SkipReason | undefined {
  const lower = name.toLowerCase();
  if (LOCKFILES.has(lower) || GENERATED_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return SkipReason.GENERATED;
  const dot = lower.lastIndexOf('.');
  if (dot > 0 && BINARY_EXTENSIONS.has(lower.slice(dot + 1))) return SkipReason.BINARY;
  return undefined;
}
