// Validates every element of a JSON array of server.json documents against the official JSON
// schema (draft-07) with ajv + ajv-formats. Prints one line per invalid document; exits 1 if any.
// Usage: node ajv_check.cjs AJV_DIR SCHEMA FILE   (AJV_DIR: where `npm install ajv ajv-formats` ran)
const path = require("path");
const fs = require("fs");
const [ajvDir, schemaPath, dataPath] = process.argv.slice(2);
if (!dataPath) {
  console.error("usage: node ajv_check.cjs AJV_DIR SCHEMA FILE");
  process.exit(2);
}
const Ajv = require(path.join(ajvDir, "node_modules", "ajv"));
const addFormats = require(path.join(ajvDir, "node_modules", "ajv-formats"));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
const docs = JSON.parse(fs.readFileSync(dataPath, "utf8"));
if (!Array.isArray(docs)) {
  console.error(`${dataPath}: not a JSON array`);
  process.exit(1);
}
let bad = 0;
docs.forEach((d, i) => {
  if (!validate(d)) {
    bad++;
    const errs = validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    console.log(`[${i}] ${d.name}@${d.version}: ${errs}`);
  }
});
console.log(`${dataPath}: ${docs.length - bad}/${docs.length} documents valid against ${path.basename(schemaPath)}`);
process.exit(bad ? 1 : 0);
