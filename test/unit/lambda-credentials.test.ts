import { defaultProvider } from '../../functions/commons/lambda-credentials.js';

/** The credential source the Lambda bundles take in place of the SDK's default chain (lib/step-function.ts). */
describe('defaultProvider in the Lambda bundles', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  it("answers the execution role's session Lambda puts in the environment", async () => {
    // Prepare
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'session';

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
  });

  it('reads the environment at each call, not once when it is built', async () => {
    // Prepare
    const provider = defaultProvider();
    process.env.AWS_ACCESS_KEY_ID = 'AKIALATER';
    process.env.AWS_SECRET_ACCESS_KEY = 'later';
    delete process.env.AWS_SESSION_TOKEN;

    // Act
    const credentials = await provider();

    // Assess
    expect(credentials).toEqual({ accessKeyId: 'AKIALATER', secretAccessKey: 'later' });
  });

  it('fails when the environment holds no credentials', async () => {
    // Prepare
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;

    // Act & Assess
    await expect(defaultProvider()()).rejects.toThrow(/No AWS credentials in the environment/);
  });
});
