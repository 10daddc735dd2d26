import { knownEmbeddingFunctions, registerEmbeddingFunction, type EmbeddingFunction } from 'chromadb';
import { InternalError } from '../../errors.js';

const NAME = 'myragdb-external-vectors';

/**
 * MyRAGDB always sends its own vectors. Collections record this named function, registered with the client here, so
 * every client that opens or lists them resolves it silently (instead of warning once per collection) and a call
 * that ever omits vectors fails loudly rather than letting Chroma embed text with a model of its own.
 */
export class ExternalVectors implements EmbeddingFunction {
  static buildFromConfig(): ExternalVectors {
    return new ExternalVectors();
  }

  readonly name = NAME;

  getConfig(): Record<string, never> {
    return {};
  }

  generate(): Promise<number[][]> {
    return Promise.reject(new InternalError('Chroma was asked to embed text; MyRAGDB passes vectors explicitly'));
  }
}

if (!knownEmbeddingFunctions.has(NAME)) registerEmbeddingFunction(NAME, ExternalVectors);
