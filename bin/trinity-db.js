#!/usr/bin/env node
'use strict';
// Launcher of the `trinity-db` command: the compiled dist/cli/main.js when the package is built,
// else the TypeScript sources through ts-node (transpile only), so it works in a checkout without a build.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const compiled = path.join(root, 'dist', 'cli', 'main.js');
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
  cli = require(path.join(root, 'src', 'cli', 'main.ts'));
}
cli.run(process.argv.slice(2));
