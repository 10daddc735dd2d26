import assert from 'node:assert/strict';
import { identifierWords, splitIdentifiers } from '../../src/domain/identifiers.js';

describe('splitIdentifiers', () => {
  const cases: Array<[string, string]> = [
    ['getUserName', 'get user name'],
    ['parse_query', 'parse query'],
    ['HTTPServer', 'http server'],
    ['XMLHttpRequest', 'xml http request'],
    ['MAX_RETRY_COUNT', 'max retry count'],
    ['kebab-case-name', 'kebab case name'],
    ['Router.handle', 'router handle'],
    ['$scope', 'scope'],
    ['__init__', 'init'],
    ['base64Encode', 'base64 encode'],
    ['sha256', 'sha256'],
    ['parseURL2', 'parse url2'],
    ['getHTTPResponseCode', 'get http response code'],
    ['IOError', 'io error'],
    ['A', 'a'],
    ['', ''],
    ['  ', ''],
    ['naïveCafé', 'naïve café'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(splitIdentifiers(input), expected);
    });
  }

  it('splits every identifier of a code line, in order', () => {
    assert.equal(
      splitIdentifiers('const userName = await fetchUser(req.params.user_id);'),
      'const user name await fetch user req params user id',
    );
  });

  it('returns the words as an array too', () => {
    assert.deepEqual(identifierWords('XMLHttpRequest2'), ['xml', 'http', 'request2']);
  });
});
