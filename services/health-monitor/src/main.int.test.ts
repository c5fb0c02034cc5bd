import { describeDaemonLifecycle } from '@tap/testkit';

describeDaemonLifecycle({ service: 'health-monitor', portVariable: 'OPS_PORT' });
