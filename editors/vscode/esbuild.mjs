// Bundles the extension (and the command logic the tests load) with esbuild.
import { build } from "esbuild";

const common = { bundle: true, platform: "node", format: "cjs", target: "node18", sourcemap: true };

await build({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js", external: ["vscode"], minify: true });
await build({ ...common, entryPoints: ["src/commands.ts"], outfile: "dist/commands.js" });
