import type { Catalog } from './zh-CN';

export const en: Catalog = {
  app: {
    title: 'Medical Insurance Self-Service',
    checkoutTitle: 'Insurance Face-Pay Checkout',
    serviceTitle: 'Device Service',
  },
  attract: {
    welcome: 'Welcome to medical insurance self-service',
    prompt: 'Insert your ID card or social-security card, scan your insurance QR code, or touch the screen to begin',
    touchToStart: 'Touch to start',
    ways: { idCard: 'ID card', ssCard: 'Social-security card', qr: 'Insurance QR code', face: 'Face' },
  },
  home: {
    heading: 'Please choose a service',
    comingSoon: 'This service is being built',
    back: 'Back to start',
  },
  idle: {
    countdown: 'Leaving in {{seconds}} s. Touch the screen to continue.',
    stay: 'Continue',
  },
  lang: { switchTo: '中文', label: 'Change language' },
  status: {
    bar: 'Device status',
    network: { label: 'Platform', online: 'online', offline: 'offline', unknown: 'checking' },
    queue: { label: 'To upload', value: '{{count}}' },
    device: {
      idCardReader: 'ID card reader',
      ssCardReader: 'Social-security card reader',
      scanner: 'Scanner',
      printer: 'Printer',
      camera: 'Camera',
    },
    state: { opening: 'connecting', ready: 'ready', busy: 'busy', warning: 'attention', fault: 'fault', absent: 'not connected' },
  },
  checkout: { waiting: 'Checkout ready: scan a medicine barcode' },
  service: { heading: 'Devices and system', pinPrompt: 'Enter the service PIN' },
  errors: {
    BRIDGE_UNAUTHORIZED: 'The terminal lost its connection. Please ask staff for help.',
    INTERNAL: 'The system is busy. Please try again later.',
    DEVICE_ABSENT: 'Device not connected',
    fallback: 'The operation did not complete ({{code}})',
  },
};
