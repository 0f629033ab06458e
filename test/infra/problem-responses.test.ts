import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { TRANSIENT_FAULT_RETRY_AFTER_SECONDS } from '../../lambdas/shared/transient-faults';
import {
  addProblemGatewayResponses,
  THROTTLED_RETRY_AFTER_SECONDS,
} from '../../lib/constructs/problem-responses';

interface GatewayResponse {
  readonly Properties: {
    readonly StatusCode: string;
    readonly ResponseParameters: Record<string, string>;
    readonly ResponseTemplates: Record<string, string>;
  };
}

/** A bare REST API with the gateway responses, so the rule is checked apart from the rest of the Api stack. */
function gatewayResponses(): Record<string, GatewayResponse> {
  // Without the app's feature flags, CDK's CloudFormation validation only warns and cannot fail this test: off.
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Responses', {
    env: { region: 'eu-west-1' },
  });
  const api = new RestApi(stack, 'Api');
  api.root.addMethod('GET', new MockIntegration());
  addProblemGatewayResponses(api);
  const resources = Template.fromStack(stack).findResources('AWS::ApiGateway::GatewayResponse');
  return Object.fromEntries(
    Object.values(resources).map((r) => [r.Properties.ResponseType, r as GatewayResponse]),
  );
}

describe('API Gateway throttling answers', () => {
  const byType = gatewayResponses();

  it('answers a throttled request 429 too-many-requests with a literal Retry-After header', () => {
    // Gateway response headers take literals in single quotes (x-amazon-apigateway-gateway-responses.responseParameters,
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html).
    const throttled = byType.THROTTLED!.Properties;
    expect(throttled.StatusCode).toBe('429');
    expect(throttled.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
      'gatewayresponse.header.Retry-After': `'${THROTTLED_RETRY_AFTER_SECONDS}'`,
    });
    expect(JSON.parse(throttled.ResponseTemplates['application/json']!)).toMatchObject({
      type: 'urn:optline:problem:too-many-requests',
      status: 429,
    });
  });

  it('answers a spent usage-plan quota 429 too, not the 403 of the default 4xx answer', () => {
    const quota = byType.QUOTA_EXCEEDED!.Properties;
    expect(quota.StatusCode).toBe('429');
    expect(JSON.parse(quota.ResponseTemplates['application/json']!)).toMatchObject({
      type: 'urn:optline:problem:too-many-requests',
    });
    expect(byType.DEFAULT_4XX!.Properties.StatusCode).toBe('403');
  });

  it('answers an integration timeout 503 service-unavailable with Retry-After, not the default 500 a client would not retry', () => {
    const timeout = byType.INTEGRATION_TIMEOUT!.Properties;
    expect(timeout.StatusCode).toBe('503');
    expect(timeout.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
      'gatewayresponse.header.Retry-After': `'${TRANSIENT_FAULT_RETRY_AFTER_SECONDS}'`,
    });
    expect(JSON.parse(timeout.ResponseTemplates['application/json']!)).toMatchObject({
      type: 'urn:optline:problem:service-unavailable',
      status: 503,
    });
  });
});
