#!/usr/bin/env node
// `myragdb-operator [flags]` is `myragdb operator run [flags]`: the same program, through the CLI's launcher.
process.argv.splice(2, 0, 'operator', 'run');
await import('../../services/cli/bin/myragdb.js');
