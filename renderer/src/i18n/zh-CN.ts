export const zhCN = {
  app: {
    title: '医保自助服务',
    checkoutTitle: '医保刷脸收银',
    serviceTitle: '设备维护',
  },
  attract: {
    welcome: '欢迎使用医保自助服务',
    prompt: '请插入身份证或社保卡，扫描医保码，或轻触屏幕开始',
    touchToStart: '轻触开始',
    ways: { idCard: '身份证', ssCard: '社保卡', qr: '医保码', face: '刷脸' },
  },
  home: {
    heading: '请选择您要办理的业务',
    comingSoon: '该业务正在建设中',
    back: '返回首页',
  },
  idle: {
    countdown: '{{seconds}} 秒后将自动退出，如需继续请轻触屏幕',
    stay: '继续办理',
  },
  lang: { switchTo: 'English', label: '切换语言' },
  status: {
    bar: '设备状态',
    network: { label: '医保平台', online: '在线', offline: '离线', unknown: '检测中' },
    queue: { label: '待上传', value: '{{count}} 笔' },
    device: {
      idCardReader: '身份证读卡器',
      ssCardReader: '社保卡读卡器',
      scanner: '扫码器',
      printer: '打印机',
      camera: '摄像头',
    },
    state: { opening: '连接中', ready: '正常', busy: '工作中', warning: '注意', fault: '故障', absent: '未连接' },
  },
  checkout: { waiting: '收银台就绪，请扫描药品条码' },
  service: { heading: '设备与系统状态', pinPrompt: '请输入维护密码' },
  errors: {
    BRIDGE_UNAUTHORIZED: '终端连接已失效，请联系工作人员',
    INTERNAL: '系统繁忙，请稍后再试',
    DEVICE_ABSENT: '设备未连接',
    fallback: '操作未完成（{{code}}）',
  },
};
export type Catalog = typeof zhCN;
