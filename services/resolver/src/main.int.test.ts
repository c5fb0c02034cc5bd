import { describeDaemonLifecycle } from '@tap/testkit';

describeDaemonLifecycle({ service: 'resolver', portVariable: 'OPS_PORT' });
