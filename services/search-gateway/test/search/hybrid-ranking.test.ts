import assert from 'node:assert/strict';
import {
  classifyQuery,
  definesIdentifier,
  fuseHybrid,
  type HybridFusionOptions,
} from '../../src/search/hybrid-ranking.js';

const hits = (...ids: string[]) => ids.map((id, index) => ({ id, score: 10 - index }));
// Chunk ids are `<file>#<n>`.
const fileOf = (id: string) => (id.includes('#') ? id.split('#')[0] : undefined);
const options: HybridFusionOptions = {
  k: 10,
  weights: { keyword: 1, semantic: 1 },
  identifierWeights: { keyword: 2, semantic: 1 },
  fileWeight: 1,
};

describe('classifyQuery', () => {
  it('takes one token, or a few words without question words, for an identifier', () => {
    for (const query of [
      'parseQuery',
      'Router.handle',
      'parse_query',
      'parse cache control header',
      'model names from ref path',
    ])
      assert.equal(classifyQuery(query), 'identifier', query);
  });

  it('takes questions, long queries and queries with function words for questions', () => {
    for (const query of [
      'where do we retry requests',
      'how pool',
      'retry?',
      'the request body',
      'which code drops credential headers when a redirect goes to another host',
      'one two three four five six seven',
    ])
      assert.equal(classifyQuery(query), 'question', query);
  });
});

describe('fuseHybrid', () => {
  it('with no file weight is plain reciprocal rank fusion', () => {
    const fused = fuseHybrid({ keyword: hits('a#1', 'b#1'), semantic: hits('b#1', 'c#1') }, fileOf, 'question', {
      ...options,
      fileWeight: 0,
    });
    assert.deepEqual(
      fused.map((hit) => [hit.id, hit.score]),
      [
        ['b#1', 1 / 12 + 1 / 11],
        ['a#1', 1 / 11],
        ['c#1', 1 / 12],
      ],
    );
  });

  it('lifts a file both legs found through different chunks above a chunk one leg ranked first', () => {
    const legs = { keyword: hits('lone#1', 'both#1', 'x#1'), semantic: hits('y#1', 'both#2', 'z#1') };
    const chunksOnly = fuseHybrid(legs, fileOf, 'question', { ...options, fileWeight: 0 });
    assert.equal(chunksOnly[0]!.id, 'lone#1');
    const withFiles = fuseHybrid(legs, fileOf, 'question', options);
    assert.deepEqual(
      withFiles.slice(0, 2).map((hit) => hit.id),
      ['both#1', 'both#2'],
    );
    const both = withFiles[0]!;
    assert.equal(both.score, 1 / 12 + 1 / 12 + 1 / 12, 'its chunk rank plus its file rank in each leg');
    assert.deepEqual(both.keyword, { rank: 2, score: 9 });
  });

  it('ranks a file by its best chunk in each leg, and ignores chunks of unknown files', () => {
    const fused = fuseHybrid({ keyword: hits('f#1', 'f#2', 'gone', 'g#1') }, fileOf, 'question', {
      ...options,
      fileWeight: 1,
    });
    const score = Object.fromEntries(fused.map((hit) => [hit.id, hit.score]));
    assert.equal(score['f#2'], 1 / 12 + 1 / 11, 'file f is rank 1 in the leg');
    assert.equal(score['g#1'], 1 / 14 + 1 / 12, 'file g is rank 2: f counts once, `gone` has no file');
    assert.equal(score.gone, 1 / 13);
  });

  it('weights the keyword leg up for identifier queries', () => {
    const legs = { keyword: hits('k#1'), semantic: hits('s#1') };
    assert.equal(fuseHybrid(legs, fileOf, 'identifier', options)[0]!.id, 'k#1');
    const semanticFirst = { ...options, weights: { keyword: 1, semantic: 1.5 } };
    assert.equal(fuseHybrid(legs, fileOf, 'question', semanticFirst)[0]!.id, 's#1');
    assert.equal(fuseHybrid(legs, fileOf, 'identifier', semanticFirst)[0]!.id, 'k#1');
  });
});

describe('definesIdentifier', () => {
  it('finds declarations, methods, exported and assigned functions, word-normalised', () => {
    const definitions: Array<[string, string]> = [
      ['function getGreatestCommonDivisor (a, b) {', 'getgreatestcommondivisor'],
      ['module.exports = function isAtlas(topologyDescription) {', 'isatlas'],
      ['export class InvalidDateTimeError extends LuxonError {', 'invaliddatetimeerror'],
      ['  async parseQuery(input) {', 'parsequery'],
      ['const parseQuery = (input) => input.split("&")', 'parsequery'],
      ['Query.prototype.setOptions = function(options) {', 'setoptions'],
      ['exports.checkNetConnect = checkNetConnect', 'checknetconnect'],
      ['  handle: async function (req) {', 'handle'],
      ['def parse_query(text):', 'parsequery'],
      ['export interface SearchRequest {', 'searchrequest'],
      ['const $Parse_Query$ = function () {', 'parsequery'],
      // identifierWords lower-cases the word `ΑΣ` alone, to `ας` (final sigma); the whole line gives `ασβήτα`.
      ['func ΑΣΒήτα() {', 'αςβήτα'],
    ];
    for (const [content, identifier] of definitions)
      assert.ok(definesIdentifier(`// comment\n${content}\n}`, identifier), content);
  });

  it('does not take imports, requires or calls for definitions', () => {
    const others: Array<[string, string]> = [
      ["const isAtlas = require('../helpers/topology/isAtlas');", 'isatlas'],
      ["const { parseQuery } = require('./parse');", 'parsequery'],
      ["import { InvalidDateTimeError } from './errors.js';", 'invaliddatetimeerror'],
      ['  if (checkNetConnect(netConnect, origin)) {', 'checknetconnect'],
      ['  result = getGreatestCommonDivisor(a, result)', 'getgreatestcommondivisor'],
      ['function parseQueryString(input) {', 'parsequery'],
    ];
    for (const [content, identifier] of others) assert.ok(!definesIdentifier(content, identifier), content);
  });
});
