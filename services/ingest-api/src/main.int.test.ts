import { describeDaemonLifecycle } from '@tap/testkit';

describeDaemonLifecycle({ service: 'ingest-api', portVariable: 'HTTP_PORT', exclusivePort: true });
