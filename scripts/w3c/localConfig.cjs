// The W3C VC test suites' localConfig.cjs for vc-engine, one file for all six suites.
//
// scripts/w3c-interop copies it into each suite's root as localConfig.cjs and sets the
// environment it reads; the suite is known by its directory's name. Only vc-engine runs (the
// suites' own list of implementations is replaced when a localConfig lists some).
//
// Environment: VC_ENGINE_BASE_URL (https://127.0.0.1:PORT), VC_ENGINE_ISSUER_ED25519,
// VC_ENGINE_ISSUER_P256, VC_ENGINE_ISSUER_P384 (the did:key ids the engine signs for),
// VC_ENGINE_AUTH (oauth2 | static), VC_ENGINE_CLIENT_ID and the secret in
// VC_ENGINE_CLIENT_SECRET (oauth2), or VC_ENGINE_TOKEN (static).
'use strict';

const path = require('node:path');

const env = name => {
  const value = process.env[name];
  if(!value) {
    throw new Error(`localConfig.cjs: ${name} is not set (run scripts/w3c-interop)`);
  }
  return value;
};

const base = env('VC_ENGINE_BASE_URL');
const issue = `${base}/credentials/issue`;
const verify = `${base}/credentials/verify`;
const ed25519 = env('VC_ENGINE_ISSUER_ED25519');
const p256 = env('VC_ENGINE_ISSUER_P256');
const p384 = env('VC_ENGINE_ISSUER_P384');

// OAuth2 client credentials: the suites fetch a token from the engine's token endpoint.
const oauth2 = process.env.VC_ENGINE_AUTH === 'static' ? undefined : {
  clientId: env('VC_ENGINE_CLIENT_ID'),
  clientSecret: 'VC_ENGINE_CLIENT_SECRET',
  tokenAudience: base,
  tokenEndpoint: `${base}/oauth2/token`
};
const auth = oauth2 ? {} :
  {headers: {Authorization: `Bearer ${env('VC_ENGINE_TOKEN')}`}};

const issuer = (id, tags, extra = {}) => ({
  id, endpoint: issue, tags, supports: {vc: ['1.1', '2.0']}, ...extra, ...auth
});
const verifier = (tags, extra = {}) => ({
  id: ed25519, endpoint: verify, tags, supports: {vc: ['1.1', '2.0']}, ...extra, ...auth
});

function endpoints(suite) {
  switch(suite) {
    case 'vc-data-model-2.0-test-suite':
      return {
        issuers: [issuer(ed25519, ['vc2.0'])],
        verifiers: [verifier(['vc2.0'])],
        vpVerifiers: [{...verifier(['vc2.0']), endpoint: `${base}/presentations/verify`}]
      };
    case 'vc-di-eddsa-test-suite':
      return {
        issuers: [
          issuer(ed25519, ['eddsa-rdfc-2022'], {options: {cryptosuite: 'eddsa-rdfc-2022'}}),
          issuer(ed25519, ['eddsa-jcs-2022'], {options: {cryptosuite: 'eddsa-jcs-2022'}})
        ],
        verifiers: [verifier(['eddsa-rdfc-2022', 'eddsa-jcs-2022'])]
      };
    case 'vc-di-ecdsa-test-suite': {
      const ecdsa = (id, keyType) => [
        issuer(id, ['ecdsa-rdfc-2019'], {
          supportedEcdsaKeyTypes: [keyType], options: {cryptosuite: 'ecdsa-rdfc-2019'}
        }),
        issuer(id, ['ecdsa-jcs-2019'], {
          supportedEcdsaKeyTypes: [keyType], options: {cryptosuite: 'ecdsa-jcs-2019'}
        })
      ];
      return {
        issuers: [...ecdsa(p256, 'P-256'), ...ecdsa(p384, 'P-384')],
        verifiers: [verifier(['ecdsa-rdfc-2019', 'ecdsa-jcs-2019'], {
          supportedEcdsaKeyTypes: ['P-256', 'P-384']
        })]
      };
    }
    case 'vc-bitstring-status-list-test-suite': {
      const tags = ['BitstringStatusList', 'Revocation', 'Suspension'];
      return {issuers: [issuer(ed25519, tags)], verifiers: [verifier(tags)]};
    }
    // The two vc-api suites' "JWT" groups send VC 1.1 input and then assert a JSON credential
    // whose `proof` is an object with type, created, verificationMethod, proofPurpose and
    // proofValue (the verifier group deletes each and expects a 400): a Data Integrity proof,
    // not a JWT. Their default JWT issuer (ISSUER_NAME_JWT=SpruceID in
    // vc-test-suite-implementations) is likewise a Data Integrity issuer tagged JWT. So the
    // issuer tagged JWT here is the Data Integrity one; a vc+jwt answer (a string, or an
    // EnvelopedVerifiableCredential with no proof) cannot pass those assertions.
    case 'vc-api-issuer-test-suite':
      return {
        issuers: [issuer(ed25519, ['vc-api']), issuer(ed25519, ['vc-api', 'JWT'])]
      };
    case 'vc-api-verifier-test-suite':
      return {
        issuers: [issuer(ed25519, ['vc-api']), issuer(ed25519, ['vc-api', 'JWT'])],
        verifiers: [verifier(['vc-api', 'JWT'])]
      };
    default:
      throw new Error(`localConfig.cjs: no vc-engine endpoints for suite ${suite}`);
  }
}

// enableInteropTests: the ecdsa suite's interop group (the only suite that reads it) has our
// issuer's credentials verified by our verifier, since only vc-engine is listed.
module.exports = {
  settings: {enableInteropTests: true, testAllImplementations: false},
  implementations: [{
    name: 'vc-engine',
    implementation: 'vc-engine',
    ...(oauth2 ? {oauth2} : {}),
    ...endpoints(path.basename(__dirname))
  }]
};
