import { describeDaemonLifecycle } from '@tap/testkit';

describeDaemonLifecycle({
  service: 'price-ingest',
  portVariable: 'OPS_PORT',
  env: () => ({ VENUES: 'simulator' }),
});
