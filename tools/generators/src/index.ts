// @orderly/tools: the workspace's own Nx plugin. Nx finds it through this alias in tsconfig.base.json
// and reads generators.json from the package.json next to src/.
export { serviceGenerator } from './generators/service/service.generator';
export type { ServiceGeneratorOptions } from './generators/service/service.generator';
export { messageGenerator } from './generators/message/message.generator';
export type { MessageGeneratorOptions } from './generators/message/message.generator';
export { sagaGenerator } from './generators/saga/saga.generator';
export type { SagaGeneratorOptions } from './generators/saga/saga.generator';
