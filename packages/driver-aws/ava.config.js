import base from '../../ava.config.base.js';

export default {
  ...base,
  environmentVariables: {
    ...base.environmentVariables,
    // The SDK warns once per process that it will soon want Node.js 22; the machine runs 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
};
