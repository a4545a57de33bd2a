// Every user-facing string of 学费缴费, in one place (the wording the payer sees on 图9–图22 where those screens show one).
import { businessTime } from '../../domain/business-date';
import type { FeeType } from '../../domain/payable';

/** HH:mm in Beijing time, as the payer reads a clock. */
const hhmm = (d: Date) => businessTime(d).slice(0, 5);

export const M = {
  crumbs: {
    list: ['学费缴费', '应交款明细表'],
    items: ['学费缴费', '缴费信息修改'],
    review: ['学费缴费', '交费信息显示'],
    confirm: ['缴费信息确认及支付方式选择'],
    result: ['学费缴费', '银行支付结果'],
  },
  /** The tab a wizard belongs to: its name in 当前位置, its nav key and its list. */
  tab: (feeType: FeeType) => (feeType === '其他费用'
    ? { name: '其他费用', nav: 'other-fees', path: '/other-fees', fee: 'other' }
    : { name: '学费缴费', nav: 'pay', path: '/pay', fee: '' }),
  /** The tab of an order's pages: 其他费用 when all its lines are of that type, else 学费缴费. */
  tabOfLines: (lines: readonly { feeType: string }[]) => M.tab(lines.length && lines.every((l) => l.feeType === '其他费用') ? '其他费用' : '学费'),
  /** 当前位置 of the wizard's screens, under the tab's name. */
  crumbsOf: (feeType: FeeType, step: '应交款明细表' | '缴费信息修改' | '交费信息显示') => [feeType === '其他费用' ? '其他费用' : '学费缴费', step],
  otherHelp: '说明：其他费用须在收费起始至收费终止的时间内缴纳。请在可缴费的收费期间打勾，然后点击“财政项目缴费”或“代收项目缴费”按钮',
  optionalHelp: '以下为选缴项目，您可自愿选择：勾选需要的项目后点击“选缴所选项目”，生成账单后即可在上方缴费。',
  chosen: (n: number) => (n ? `已为您生成${n}个选缴项目的账单，请勾选收费期间后缴费` : '所选项目已在您的账单中，请勾选收费期间后缴费'),
  nothingOther: '您目前没有可以缴纳的其他费用。',
  listHelp: '说明：请选择本次进行缴费的收费区间，在相应的收费期间打勾，然后点击“财政项目缴费”或“代收项目缴费”按钮',
  itemsHelp: '说明：请选择收费项目，如需要调整缴费金额，请点击“修改”按钮输入交费金额，点击“确定”完成修改。确认无误后点击“下一步”按钮(订单确认后不能再进行修改)如需要调整缴费订单，请点击“上一步”按钮重新选择',
  reviewHelp: '说明：确认交费信息无误后，点击“下一步”进行操作；若需更改或缴费失败，请返回欠费查询页面，重复以上操作',
  choosePeriod: '请选择收费区间',
  badCategory: '请点击“财政项目缴费”或“代收项目缴费”',
  nothingToPay: (category: string) => `所选收费区间没有需要缴纳的${category}项目`,
  orderNotFound: '缴费单不存在',
  wizardGone: '缴费信息已失效，请重新选择缴费项目',
  tooManyLiveOrders: (max: number) => `您已有${max}张未完成支付的缴费单，请先继续支付或取消其中的缴费单，再生成新的缴费单`,
  serialsExhausted: '今日缴费单数量已达上限，暂时无法生成新的缴费单，请明日再试或联系财务处',
  orderReused: (no: string) => `您已有相同内容的未支付缴费单 ${no}，可继续支付`,
  orderNotLive: '该缴费单已关闭，不能继续支付，请重新选择缴费项目',
  orderExpired: '该缴费单已超过有效时间并已关闭，请重新选择缴费项目',
  chooseChannel: '请选择支付方式',
  channelNotOpen: '该支付方式暂未开放',
  channelBusy: '支付渠道暂时无法受理，请稍后再试。如已扣款，请勿重复缴费。',
  productConflict: (channel: string) =>
    `本缴费单已在另一设备上发起${channel}（电脑扫码或手机支付），${channel}不允许同一缴费单更换支付方式。请回到原来的设备继续支付；或取消本缴费单，重新选择缴费项目后再支付。`,
  attemptSuperseded: '该缴费单已改用其他支付方式提交，本次支付请求已在支付渠道关闭，请勿再使用本次的支付页面',
  cannotCloseOther: (no: string) => `无法确认缴费单 ${no} 在支付渠道的状态，为避免重复缴费，请稍后再试`,
  paidElsewhere: (no: string) => `所选项目已在缴费单 ${no} 中支付成功，请勿重复缴费`,
  cancelled: (no: string) => `缴费单 ${no} 已取消`,
  /** 取消交费 of an order whose bank page cannot be closed at the bank. */
  cancelPending: (channel: string, until: Date) =>
    `您在${channel}的支付页面在 ${hhmm(until)} 前仍可付款，银行不能提前关闭；该缴费单将在此时间后自动关闭。如已付款请勿重复支付。`,
  attemptLapsed: '本缴费单在该支付方式的支付页面已超过有效时间，请重新选择缴费项目',
  /** Choosing to pay elsewhere while a bank page or QR of the same bills is still payable. */
  openElsewhere: {
    title: '请注意：您有一笔支付尚未结束',
    line: (channel: string, until: Date) => `您在${channel}的支付尚未结束，该支付页面在 ${hhmm(until)} 前仍可付款；如已付款请勿重复支付。`,
    otherOrder: (no: string) => `（缴费单 ${no}）`,
    choose: '请选择：',
    goBack: '返回继续支付',
    seeResult: '查看银行支付结果',
    payHere: (channel: string) => `仍使用${channel}缴费`,
    payHereNote: '如您确认在原支付页面没有付款，可继续使用新选的支付方式；若两边都付了款，多付的一笔将原路自动退回。',
  },
  /** 交费信息显示 when a live order already holds some of the chosen bills: offered before a new one is built. */
  liveOffer: {
    title: '您已有包含所选项目的未完成缴费单',
    line: (no: string, items: string, amount: string, channel: string | null, until: string) =>
      `缴费单 ${no}：${items}，缴费金额 ${amount} 元；支付方式：${channel ?? '尚未选择'}；有效期至 ${until}。`,
    continue: '继续支付该缴费单',
    replace: '取消原缴费单并生成新缴费单',
    replaceNote: '如需按本次的选择缴费，可取消原缴费单并生成新的缴费单：原缴费单将立即关闭，请勿再使用它的支付页面。',
  },
  reuses: (no: string) => `您已有相同内容的未支付缴费单 ${no}，点击“下一步”将继续使用该缴费单。`,
  /** 图12 on a phone: where 确定缴费 leads, and the way to a QR code instead. */
  phone: {
    /** `channels`: 微信支付 / 支付宝 as offered; `apps`: 微信 / 支付宝. */
    note: (channels: string, apps: string) => `您正在使用手机：选择${channels}后，将直接转到${apps}完成支付。`,
    scanInstead: '在电脑上扫码支付',
    scanInsteadNote: '如需在电脑上或用另一部手机扫码支付，请点击“在电脑上扫码支付”。',
  },
  /** 确定缴费 inside WeChat's browser, for a channel whose mobile page does not open there. */
  otherBrowser: {
    title: '请在手机浏览器中打开',
    text: (channel: string, orderNo: string) => `在微信中不能打开${channel}的手机支付页面。请点击右上角“…”，选择“在浏览器打开”，登录后继续支付缴费单 ${orderNo}。`,
    or: '也可以在电脑上打开本平台扫码支付。',
  },
  /** 微信支付 JSAPI inside WeChat (网页授权, then the bridge). */
  wechatOauth: {
    failedTitle: '未能获取微信授权',
    failed: '未能从微信获取您的支付身份，请稍后再试；或点击右上角“…”，选择“在浏览器打开”，在浏览器中支付。',
    payTitle: '微信支付',
    calling: '正在调起微信支付……',
    cancelled: '支付未完成。如需继续，请点击“重新调起微信支付”。',
    retry: '重新调起微信支付',
    notInWechat: '请在微信中打开本页完成支付。',
  },
  /** Where a phone comes back from 微信支付 H5 while the payment may still be finishing. */
  waiting: {
    title: '等待支付结果',
    text: '请在微信或支付宝中完成支付。支付完成后，本页会自动显示支付结果。',
    auto: '正在等待支付结果……支付完成后本页将自动跳转。',
    stopped: '本页已停止自动刷新，请点击“我已完成支付”查看支付结果。',
    noScript: '支付完成后，请点击“我已完成支付”查看支付结果。',
  },
  /** An unpaid order that can no longer be paid: why, and what to do (银行支付结果, 图12's page). */
  ended: {
    expired: { title: '缴费单已超时', text: (until: string) => `该缴费单的支付有效期已于 ${until} 结束，缴费单已自动关闭，不能再支付。` },
    closed: { title: '缴费单已关闭', text: () => '该缴费单已关闭（已取消，或已由新的缴费单代替），不能继续支付。' },
    todo: '请返回“学费缴费”，重新选择缴费项目，生成新的缴费单后再支付。',
    paidNote: '如您已在支付页面付款，请勿重复缴费：款项到账后会自动入账；如重复缴费，多付的款项将原路退回。',
  },
  alreadyPaid: (no: string) => `缴费单 ${no} 已支付成功`,
  mobileInvalid: '请输入11位手机号码',
  mobileChanged: '非税通知手机号码已修改，个人信息中的手机号码已同步更新',
  /** Beside the box: the number is the profile's own, not one kept for this order alone. */
  mobileAlsoProfile: '修改后，个人信息中的手机号码也将同步更新（电子票据将发送至该号码）',
  warnings: ['请确保您已开通网上支付功能', '若缴费失败，请确认银行账户没有扣款再进行下次支付，避免重复缴费'],
  unpaidTitle: '支付未完成',
  unpaidNotes: [
    '缴费单未完成支付可重复使用，一旦提交银行后切忌重复操作。',
    '银行交易完成后，如缴费失败，请到网上银行查询银行卡是否已扣款，如已扣款切勿重复缴费，学校会在1-2个工作日恢复此次交易。',
  ],
  smsPaid: (school: string, total: string, orderNo: string, receiptNo: string) =>
    `【${school}】您已成功缴费${total}元，订单号${orderNo}，收费单号${receiptNo}。电子票据开具后将发送至本手机。`,
} as const;
