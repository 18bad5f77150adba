import { describe, expect, it } from 'vitest';
import { builtImageId, buildStep } from '../../src/docker/build.js';

/** Classic build stream lines as Docker 20.10 and Podman 4.3 (Buildah 1.28) write them. */
describe('classic build stream lines', () => {
  it('reads Docker steps and Podman steps, with their stage prefix', () => {
    expect(
      buildStep('Step 2/9 : COPY --from=full /opt/tritonserver/backends/python /opt/tritonserver/backends/python\n'),
    ).toBe('Step 2/9 : COPY --from=full /opt/tritonserver/backends/python /opt/tritonserver/backends/python');
    expect(buildStep('STEP 1/4: FROM tslim-fixture/tritonserver:24.09-py3-min\n')).toBe(
      'Step 1/4 : FROM tslim-fixture/tritonserver:24.09-py3-min',
    );
    expect(buildStep('[2/2] STEP 3/4: RUN false\n')).toBe('[2/2] Step 3/4 : RUN false');
    for (const other of [
      ' ---> 34c44dcb78c7\n',
      '--> 34c44dcb78c\n',
      'COMMIT tslim:1\n',
      'Step: 1\n',
      'STEP 1/4 FROM x\n',
    ])
      expect(buildStep(other)).toBeUndefined();
  });

  it('takes the image id from aux.ID on both engines, else from "Successfully built"', () => {
    // the tail of a real Podman 4.3.1 build stream
    const podman = [
      { stream: 'STEP 3/3: LABEL "dev.tslim.run"="probe"\n' },
      { stream: 'COMMIT docker.io/library/tslim-podman-probe:1\n' },
      { stream: '--> b622c758c29\n' },
      { stream: 'Successfully tagged docker.io/library/tslim-podman-probe:1\n' },
      { stream: 'b622c758c29b0b4f8ba4a8794c30b0d6425736511b36c5905fed72ac5ace8b0f\n' },
      { aux: { ID: 'sha256:b622c758c29b0b4f8ba4a8794c30b0d6425736511b36c5905fed72ac5ace8b0f' } },
      { stream: 'Successfully built b622c758c29b\n' },
      { stream: 'Successfully tagged tslim-podman-probe:1\n' },
    ];
    expect(builtImageId(podman)).toBe('sha256:b622c758c29b0b4f8ba4a8794c30b0d6425736511b36c5905fed72ac5ace8b0f');
    expect(builtImageId([{ stream: 'Successfully built 0123456789ab\n' }])).toBe('0123456789ab');
    expect(builtImageId([{ stream: '--> 6a1629aeb6d\n' }])).toBeUndefined();
  });
});
