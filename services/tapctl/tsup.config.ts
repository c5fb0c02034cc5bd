import type { Options } from 'tsup';
import { serviceBundle } from '../../tsup.service.js';

/** The service bundle with a shebang, so `dist/main.js` runs as `tapctl` (package.json "bin"). */
const base = serviceBundle() as Options;
const banner = base.banner as { js?: string } | undefined;
export default {
  ...base,
  banner: { js: `#!/usr/bin/env node\n${banner?.js ?? ''}` },
} satisfies Options;
