import { runService } from '@argus/config';
import { startGateway } from './gateway-app';

runService('gateway', startGateway, 'stopping: finishing in-flight requests');
