import { runService } from '@argus/config';
import { startWorker } from './worker-app';

runService('worker', startWorker, 'stopping: finishing active jobs');
