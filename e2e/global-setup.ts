/**
 * Makes the fake-camera clips from ../shared/faces before any browser starts. Without the faces
 * the face specs report themselves skipped with that reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { wangJianguo } from '../fixtures/people/id-cards';
import { facesAvailable, lfwImage, SPOOF_DIR } from '../fixtures/faces';
import { writeSequenceClip, writeStillClip } from '../fixtures/media/camera-clips';

export const CLIP_DIR = path.resolve(import.meta.dirname, '../test-output/camera');
export const CLIPS = {
  /** David Beckham, LFW photo 1 (frontal, passive liveness 1.0), turning left (photo 11) and back. */
  enrol: path.join(CLIP_DIR, 'enrol.y4m'),
  /** The same turn for the login, other frames (other noise). */
  login: path.join(CLIP_DIR, 'login.y4m'),
  /** Silent-Face's F2: a photo shown on a tablet, captured by a 640x480 camera. */
  attack: path.join(CLIP_DIR, 'attack.y4m'),
  /** The same person facing the camera, turning the head left, facing it again: answers a turn-left challenge. */
  turnLeft: path.join(CLIP_DIR, 'turn-left.y4m'),
};

/** The embedded platform simulator's reference photos (its residents' ID-card pictures). */
export const REFERENCE_PHOTOS = path.join(CLIP_DIR, 'reference-photos.json');

export default async function globalSetup(): Promise<void> {
  if (!facesAvailable) return;
  // 王建国 is David Beckham to the platform (photo 9, not in any clip): hosts started by the
  // tests inherit this, and their embedded simulator confirms enrolments against it.
  fs.mkdirSync(CLIP_DIR, { recursive: true });
  fs.writeFileSync(REFERENCE_PHOTOS, JSON.stringify({ [wangJianguo.idNumber]: lfwImage('David_Beckham', 9) }));
  process.env.ESTATION_SIM_REFERENCE_PHOTOS = REFERENCE_PHOTOS;
  // Fifteen seconds each at 15 frames a second, every frame with its own sensor noise: frontal,
  // head turned left (another photo of the same man), frontal, turned, … frontal, a second each.
  // Chromium's fake camera loops its file, and a looped frame is the same bytes again, which main
  // rightly refuses as a replay; so a clip must outlast a whole session even on a slow machine
  // (a 5 s clip looped inside a session on the CI machine and the login was refused).
  const turn = (frontal: number) => Array.from({ length: 15 }, (_, i) => ({ photo: lfwImage('David_Beckham', i % 2 ? 11 : frontal), count: 15 }));
  writeSequenceClip(turn(1), CLIPS.enrol, { seed: 1, fps: 15 });
  // The same photo as the enrolment, with its own noise: photo 9 is frontal in Node (yaw 2–4°) but
  // came out of Chromium's fake camera at 11–21°, never frontal enough to finish the turn. Matching
  // another photo of him (9) is covered in main/face/pad.test.ts.
  writeSequenceClip(turn(1), CLIPS.login, { seed: 2, fps: 15 });
  // A tablet showing a photo, held before a real camera: the camera adds its noise.
  writeStillClip(path.join(SPOOF_DIR, 'silentface_image_F2.jpg'), CLIPS.attack, { count: 45, seed: 3, fps: 15 });
  writeSequenceClip(turn(1), CLIPS.turnLeft, { seed: 4, fps: 15 });
}
