/**
 * The layers of docs/architecture.md as import rules: `npm run check:layers` fails the build when an arrow
 * points up. Each rule names a layer and what it may import of ours; anything else of ours is refused.
 * Tests (*.test.ts) may reach anything.
 */
const ours = '^src/';
const notTest = '\\.test\\.ts$';

/**
 * A layer may import only what is listed (and itself); everything else under src/ is refused. An entry
 * ending in `.ts` is one file (a regular expression over the path below src/), any other a whole folder.
 */
function layer(name, from, allowed) {
  const allowedPaths = [from, ...allowed].map((a) => (a.endsWith('.ts') ? `^src/${a}$` : `^src/(${a})/`));
  return {
    name,
    comment: `${from} may import only: ${allowed.join(', ')}`,
    severity: 'error',
    from: { path: `^src/(${from})/`, pathNot: notTest },
    to: { path: ours, pathNot: allowedPaths },
  };
}

/** Store ports: the interfaces other layers program against, never an adapter. */
const storePorts = 'store/[a-z-]*port\\.ts';
const routingInbound = 'routing/inbound-port.ts';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'a cycle makes two modules one; break it by moving the shared piece down',
      severity: 'error',
      from: { path: ours, pathNot: notTest },
      to: { circular: true, viaOnly: { pathNot: notTest } },
    },
    layer('kit', 'kit', []),
    layer('protocols', 'protocols', ['kit']),
    layer('store', 'store', ['kit', 'protocols/hl7']),
    layer('listeners', 'listeners', ['protocols', 'kit', storePorts, routingInbound]),
    layer('directory, schedules, census', 'directory|schedules|census', [
      'directory',
      'schedules',
      'census',
      'protocols',
      'kit',
      storePorts,
    ]),
    layer('routing', 'routing', ['directory', 'schedules', 'census', 'protocols', 'kit', storePorts]),
    layer('calls', 'calls', ['protocols/sip', 'routing', 'directory', 'schedules', 'kit', storePorts]),
    layer('delivery', 'delivery', ['protocols', 'kit', storePorts, 'routing/notifications.ts']),
    layer('connectors', 'connectors', ['schedules', 'directory', 'protocols', 'kit', storePorts]),
    layer('api and web', 'api|web', [
      'protocols',
      'kit',
      'store',
      'listeners',
      'calls',
      'routing',
      'directory',
      'schedules',
      'census',
      'delivery',
      'connectors',
    ]),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js'] },
  },
};
