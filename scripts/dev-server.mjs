// webpack-dev-server for the demo page (root webpack.config.js, www/), run by scripts/start.mjs
// as its own process (stopped by its PID). 127.0.0.1 only. Prints `READY <url>` once the first
// bundle is compiled and served, and `COMPILING` / `compiled` lines as progress.
//   node scripts/dev-server.mjs --port 8080 --static .demo/public
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const webpack = require('webpack');
const WebpackDevServer = require('webpack-dev-server');
const config = require('../webpack.config.js');

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, static: { type: 'string', multiple: true, default: [] } } });
const port = Number(values.port);

const compiler = webpack({ ...config, mode: 'development', devtool: 'source-map' });
let first = true;
compiler.hooks.compile.tap('demo', () => console.log('COMPILING www/ (webpack)'));
compiler.hooks.done.tap('demo', (stats) => {
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  for (const e of errors) console.log(`webpack error: ${e.message}`);
  console.log(`compiled www/ in ${stats.endTime - stats.startTime} ms (${errors.length} errors, ${warnings.length} warnings)`);
  if (first && errors.length === 0) {
    first = false;
    console.log(`READY http://127.0.0.1:${port}/`);
  }
});

const server = new WebpackDevServer({
  host: '127.0.0.1',
  port,
  // Generated config first (config.json), then the page's own static files.
  static: [...values.static, ...config.devServer.static].map((directory) => ({ directory, watch: true })),
  client: { overlay: { errors: true, warnings: false, runtimeErrors: false }, logging: 'warn' },
  hot: false,
  liveReload: true,
  open: false,
  setupExitSignals: false,
}, compiler);

await server.start();
const stop = () => server.stop().then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
