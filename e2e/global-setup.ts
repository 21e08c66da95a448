/**
 * Makes the fake-camera clips from ../shared/faces before any browser starts. Without the faces
 * the face specs report themselves skipped with that reason.
 */
import path from 'node:path';
import { facesAvailable, lfwImage, SPOOF_DIR } from '../fixtures/faces';
import { writeSequenceClip, writeStillClip } from '../fixtures/media/camera-clips';

export const CLIP_DIR = path.resolve(import.meta.dirname, '../test-output/camera');
export const CLIPS = {
  /** David Beckham, LFW photo 1: frontal, one face, passive liveness 1.0. */
  enrol: path.join(CLIP_DIR, 'enrol.y4m'),
  /** Another photo of the same person for the login. */
  login: path.join(CLIP_DIR, 'login.y4m'),
  /** Silent-Face's F2: a photo shown on a tablet, captured by a 640x480 camera. */
  attack: path.join(CLIP_DIR, 'attack.y4m'),
  /** The same person facing the camera, turning the head left, facing it again: answers a turn-left challenge. */
  turnLeft: path.join(CLIP_DIR, 'turn-left.y4m'),
};

export default async function globalSetup(): Promise<void> {
  if (!facesAvailable) return;
  writeStillClip(lfwImage('David_Beckham', 1), CLIPS.enrol);
  writeStillClip(lfwImage('David_Beckham', 9), CLIPS.login);
  writeStillClip(path.join(SPOOF_DIR, 'silentface_image_F2.jpg'), CLIPS.attack);
  writeSequenceClip(
    [
      { photo: lfwImage('David_Beckham', 1), count: 8 },
      { photo: lfwImage('David_Beckham', 11), count: 8 },
      { photo: lfwImage('David_Beckham', 1), count: 8 },
    ],
    CLIPS.turnLeft,
  );
}
