import base from '../../ava.config.base.js';

export default {
  ...base,
  environmentVariables: {
    ...base.environmentVariables,
    // The SDK warns once per process that it will soon want Node.js 22; the machine runs 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The driver takes credentials from the SDK's usual chain; the fake AWS accepts any.
    AWS_ACCESS_KEY_ID: 'AKIAFAKEAWS000000000',
    AWS_SECRET_ACCESS_KEY: 'fake-aws-secret-access-key',
    AWS_EC2_METADATA_DISABLED: 'true',
  },
};
