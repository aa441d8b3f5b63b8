#!/usr/bin/env node
// House rule (CONTRIBUTING.md): every public export has TSDoc, and every exported function, class and constant
// carries an `@example` block (interfaces and type aliases may go without one). typedoc's `notDocumented`
// validation checks the first half; this script checks the second. It reads the public surface from
// src/index.ts with the TypeScript compiler API and exits 1 listing every offender.
import { resolve } from 'node:path';
import ts from 'typescript';

const entry = resolve(process.argv[2] ?? 'src/index.ts');
const program = ts.createProgram([entry], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const source = program.getSourceFile(entry);
if (!source) {
  console.error(`check-doc-examples: cannot read ${entry}`);
  process.exit(2);
}
const moduleSymbol = checker.getSymbolAtLocation(source);
if (!moduleSymbol) {
  console.error(`check-doc-examples: ${entry} is not a module`);
  process.exit(2);
}

const needsExample = (decl) =>
  ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isVariableDeclaration(decl);

const missing = [];
let checked = 0;
for (const exported of checker.getExportsOfModule(moduleSymbol)) {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const decls = (symbol.getDeclarations() ?? []).filter(needsExample);
  if (decls.length === 0) continue;
  checked++;
  const hasExample = decls.some((decl) =>
    ts.getJSDocTags(decl).some((tag) => tag.tagName.text === 'example'),
  );
  if (!hasExample) {
    const decl = decls[0];
    const file = decl.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(decl.getStart());
    missing.push(`${file.fileName.replace(`${process.cwd()}/`, '')}:${line + 1} ${exported.name}`);
  }
}
if (missing.length > 0) {
  console.error(
    `check-doc-examples: ${missing.length} of ${checked} exported functions/classes/constants lack an @example:`,
  );
  for (const m of missing.sort()) console.error(`  ${m}`);
  process.exit(1);
}
console.log(`check-doc-examples: all ${checked} exported functions/classes/constants have an @example`);
