export * from './signature';
export * from './address-policy';
export * from './deliver';
