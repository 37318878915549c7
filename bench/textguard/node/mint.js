#!/usr/bin/env node
// mint-filter (npm): Aho-Corasick in JavaScript, lower-cases keys and text.
//   node mint.js --lexicon PATH --corpus PATH [--unit whole|line]
// Prints one JSON line like the Python harnesses. Scan = filter(text,
// {replace:false}) over the whole corpus (or per line); matches = length of
// the returned `words` (mint reports only the term ending at the current
// trie node, not shorter terms that are suffixes of it).
'use strict';
const fs = require('fs');
const { Mint } = require('mint-filter');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  if (i < 0) { if (dflt === undefined) { console.error(`missing ${name}`); process.exit(2); } return dflt; }
  return process.argv[i + 1];
}
const lexicon = arg('--lexicon');
const corpusPath = arg('--corpus');
const unit = arg('--unit', 'whole');

const terms = [];
for (const line of fs.readFileSync(lexicon, 'utf8').split('\n')) {
  if (!line || line.startsWith('#')) continue;
  terms.push(line.split('\t', 1)[0]);
}
const raw = fs.readFileSync(corpusPath);
const text = raw.toString('utf8');
const units = unit === 'line' ? text.split('\n') : [text];

const now = () => Number(process.hrtime.bigint()) / 1e9;
let t0 = now();
const mint = new Mint(terms);
const build = now() - t0;

t0 = now();
let n = 0;
for (const u of units) n += mint.filter(u, { replace: false }).words.length;
const scan = now() - t0;

console.log(JSON.stringify({
  tool: 'mint-filter', terms: terms.length, build_s: +build.toFixed(6), scan_s: +scan.toFixed(6),
  bytes: raw.length, matches: n, mb_per_s: +(raw.length / 1e6 / scan).toFixed(3),
  semantics: 'trie-node terms (no suffix outputs)', unit,
  version: require('mint-filter/package.json').version,
}));
