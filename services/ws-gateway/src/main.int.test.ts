import { describeDaemonLifecycle } from '@tap/testkit';

describeDaemonLifecycle({ service: 'ws-gateway', portVariable: 'WS_PORT', exclusivePort: true });
