import { serviceBundle } from '../../tsup.service.js';

export default serviceBundle();
