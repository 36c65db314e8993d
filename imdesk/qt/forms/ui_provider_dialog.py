# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'provider_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QCheckBox, QComboBox,
    QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QSizePolicy, QSpinBox, QVBoxLayout,
    QWidget)

class Ui_ProviderDialog(object):
    def setupUi(self, ProviderDialog):
        if not ProviderDialog.objectName():
            ProviderDialog.setObjectName(u"ProviderDialog")
        ProviderDialog.resize(680, 560)
        self.outer = QVBoxLayout(ProviderDialog)
        self.outer.setSpacing(8)
        self.outer.setObjectName(u"outer")
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(6)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.providerLabel = QLabel(ProviderDialog)
        self.providerLabel.setObjectName(u"providerLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.providerLabel)

        self.providerCombo = QComboBox(ProviderDialog)
        self.providerCombo.setObjectName(u"providerCombo")

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.providerCombo)

        self.nameLabel = QLabel(ProviderDialog)
        self.nameLabel.setObjectName(u"nameLabel")

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.nameLabel)

        self.nameEdit = QLineEdit(ProviderDialog)
        self.nameEdit.setObjectName(u"nameEdit")

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.nameEdit)

        self.kindLabel = QLabel(ProviderDialog)
        self.kindLabel.setObjectName(u"kindLabel")

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.kindLabel)

        self.kindCombo = QComboBox(ProviderDialog)
        self.kindCombo.setObjectName(u"kindCombo")

        self.form.setWidget(2, QFormLayout.ItemRole.FieldRole, self.kindCombo)

        self.hostLabel = QLabel(ProviderDialog)
        self.hostLabel.setObjectName(u"hostLabel")

        self.form.setWidget(3, QFormLayout.ItemRole.LabelRole, self.hostLabel)

        self.hostEdit = QLineEdit(ProviderDialog)
        self.hostEdit.setObjectName(u"hostEdit")

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.hostEdit)

        self.portLabel = QLabel(ProviderDialog)
        self.portLabel.setObjectName(u"portLabel")

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.portLabel)

        self.portSpin = QSpinBox(ProviderDialog)
        self.portSpin.setObjectName(u"portSpin")
        self.portSpin.setMinimum(1)
        self.portSpin.setMaximum(65535)
        self.portSpin.setValue(587)

        self.form.setWidget(4, QFormLayout.ItemRole.FieldRole, self.portSpin)

        self.securityLabel = QLabel(ProviderDialog)
        self.securityLabel.setObjectName(u"securityLabel")

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.securityLabel)

        self.securityCombo = QComboBox(ProviderDialog)
        self.securityCombo.setObjectName(u"securityCombo")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.securityCombo)

        self.userLabel = QLabel(ProviderDialog)
        self.userLabel.setObjectName(u"userLabel")

        self.form.setWidget(6, QFormLayout.ItemRole.LabelRole, self.userLabel)

        self.userEdit = QLineEdit(ProviderDialog)
        self.userEdit.setObjectName(u"userEdit")

        self.form.setWidget(6, QFormLayout.ItemRole.FieldRole, self.userEdit)

        self.fromLabel = QLabel(ProviderDialog)
        self.fromLabel.setObjectName(u"fromLabel")

        self.form.setWidget(7, QFormLayout.ItemRole.LabelRole, self.fromLabel)

        self.fromEdit = QLineEdit(ProviderDialog)
        self.fromEdit.setObjectName(u"fromEdit")

        self.form.setWidget(7, QFormLayout.ItemRole.FieldRole, self.fromEdit)

        self.fromNameLabel = QLabel(ProviderDialog)
        self.fromNameLabel.setObjectName(u"fromNameLabel")

        self.form.setWidget(8, QFormLayout.ItemRole.LabelRole, self.fromNameLabel)

        self.fromNameEdit = QLineEdit(ProviderDialog)
        self.fromNameEdit.setObjectName(u"fromNameEdit")

        self.form.setWidget(8, QFormLayout.ItemRole.FieldRole, self.fromNameEdit)

        self.caLabel = QLabel(ProviderDialog)
        self.caLabel.setObjectName(u"caLabel")

        self.form.setWidget(9, QFormLayout.ItemRole.LabelRole, self.caLabel)

        self.caEdit = QLineEdit(ProviderDialog)
        self.caEdit.setObjectName(u"caEdit")

        self.form.setWidget(9, QFormLayout.ItemRole.FieldRole, self.caEdit)

        self.timeoutLabel = QLabel(ProviderDialog)
        self.timeoutLabel.setObjectName(u"timeoutLabel")

        self.form.setWidget(10, QFormLayout.ItemRole.LabelRole, self.timeoutLabel)

        self.timeoutSpin = QDoubleSpinBox(ProviderDialog)
        self.timeoutSpin.setObjectName(u"timeoutSpin")
        self.timeoutSpin.setMinimum(0.500000000000000)
        self.timeoutSpin.setMaximum(300.000000000000000)
        self.timeoutSpin.setValue(30.000000000000000)

        self.form.setWidget(10, QFormLayout.ItemRole.FieldRole, self.timeoutSpin)

        self.methodLabel = QLabel(ProviderDialog)
        self.methodLabel.setObjectName(u"methodLabel")

        self.form.setWidget(11, QFormLayout.ItemRole.LabelRole, self.methodLabel)

        self.methodCombo = QComboBox(ProviderDialog)
        self.methodCombo.setObjectName(u"methodCombo")

        self.form.setWidget(11, QFormLayout.ItemRole.FieldRole, self.methodCombo)

        self.headersLabel = QLabel(ProviderDialog)
        self.headersLabel.setObjectName(u"headersLabel")

        self.form.setWidget(12, QFormLayout.ItemRole.LabelRole, self.headersLabel)

        self.headersEdit = QPlainTextEdit(ProviderDialog)
        self.headersEdit.setObjectName(u"headersEdit")
        self.headersEdit.setTabChangesFocus(True)
        self.headersEdit.setMaximumSize(QSize(16777215, 70))

        self.form.setWidget(12, QFormLayout.ItemRole.FieldRole, self.headersEdit)

        self.bodyLabel = QLabel(ProviderDialog)
        self.bodyLabel.setObjectName(u"bodyLabel")

        self.form.setWidget(13, QFormLayout.ItemRole.LabelRole, self.bodyLabel)

        self.bodyEdit = QPlainTextEdit(ProviderDialog)
        self.bodyEdit.setObjectName(u"bodyEdit")
        self.bodyEdit.setTabChangesFocus(True)
        self.bodyEdit.setMaximumSize(QSize(16777215, 70))

        self.form.setWidget(13, QFormLayout.ItemRole.FieldRole, self.bodyEdit)

        self.successLabel = QLabel(ProviderDialog)
        self.successLabel.setObjectName(u"successLabel")

        self.form.setWidget(14, QFormLayout.ItemRole.LabelRole, self.successLabel)

        self.successSpin = QSpinBox(ProviderDialog)
        self.successSpin.setObjectName(u"successSpin")
        self.successSpin.setMinimum(100)
        self.successSpin.setMaximum(599)
        self.successSpin.setValue(200)

        self.form.setWidget(14, QFormLayout.ItemRole.FieldRole, self.successSpin)

        self.idLabel = QLabel(ProviderDialog)
        self.idLabel.setObjectName(u"idLabel")

        self.form.setWidget(15, QFormLayout.ItemRole.LabelRole, self.idLabel)

        self.idEdit = QLineEdit(ProviderDialog)
        self.idEdit.setObjectName(u"idEdit")

        self.form.setWidget(15, QFormLayout.ItemRole.FieldRole, self.idEdit)

        self.secretLabel = QLabel(ProviderDialog)
        self.secretLabel.setObjectName(u"secretLabel")

        self.form.setWidget(16, QFormLayout.ItemRole.LabelRole, self.secretLabel)

        self.secretEdit = QLineEdit(ProviderDialog)
        self.secretEdit.setObjectName(u"secretEdit")
        self.secretEdit.setEchoMode(QLineEdit.Password)

        self.form.setWidget(16, QFormLayout.ItemRole.FieldRole, self.secretEdit)

        self.secretWhere = QLabel(ProviderDialog)
        self.secretWhere.setObjectName(u"secretWhere")
        self.secretWhere.setTextFormat(Qt.PlainText)
        self.secretWhere.setWordWrap(True)

        self.form.setWidget(17, QFormLayout.ItemRole.FieldRole, self.secretWhere)

        self.plaintextCheck = QCheckBox(ProviderDialog)
        self.plaintextCheck.setObjectName(u"plaintextCheck")

        self.form.setWidget(18, QFormLayout.ItemRole.FieldRole, self.plaintextCheck)


        self.outer.addLayout(self.form)

        self.testRow = QHBoxLayout()
        self.testRow.setObjectName(u"testRow")
        self.testButton = QPushButton(ProviderDialog)
        self.testButton.setObjectName(u"testButton")

        self.testRow.addWidget(self.testButton)

        self.testResult = QLabel(ProviderDialog)
        self.testResult.setObjectName(u"testResult")
        self.testResult.setTextFormat(Qt.PlainText)
        self.testResult.setWordWrap(True)
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        sizePolicy.setHorizontalStretch(1)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.testResult.sizePolicy().hasHeightForWidth())
        self.testResult.setSizePolicy(sizePolicy)

        self.testRow.addWidget(self.testResult)


        self.outer.addLayout(self.testRow)

        self.orderLabel = QLabel(ProviderDialog)
        self.orderLabel.setObjectName(u"orderLabel")
        self.orderLabel.setTextFormat(Qt.PlainText)
        self.orderLabel.setWordWrap(True)

        self.outer.addWidget(self.orderLabel)

        self.formError = QLabel(ProviderDialog)
        self.formError.setObjectName(u"formError")
        self.formError.setTextFormat(Qt.PlainText)
        self.formError.setWordWrap(True)

        self.outer.addWidget(self.formError)

        self.buttons = QDialogButtonBox(ProviderDialog)
        self.buttons.setObjectName(u"buttons")
        self.buttons.setStandardButtons(QDialogButtonBox.Close|QDialogButtonBox.Save)

        self.outer.addWidget(self.buttons)

#if QT_CONFIG(shortcut)
        self.providerLabel.setBuddy(self.providerCombo)
        self.nameLabel.setBuddy(self.nameEdit)
        self.kindLabel.setBuddy(self.kindCombo)
        self.hostLabel.setBuddy(self.hostEdit)
        self.portLabel.setBuddy(self.portSpin)
        self.securityLabel.setBuddy(self.securityCombo)
        self.userLabel.setBuddy(self.userEdit)
        self.fromLabel.setBuddy(self.fromEdit)
        self.fromNameLabel.setBuddy(self.fromNameEdit)
        self.caLabel.setBuddy(self.caEdit)
        self.timeoutLabel.setBuddy(self.timeoutSpin)
        self.methodLabel.setBuddy(self.methodCombo)
        self.headersLabel.setBuddy(self.headersEdit)
        self.bodyLabel.setBuddy(self.bodyEdit)
        self.successLabel.setBuddy(self.successSpin)
        self.idLabel.setBuddy(self.idEdit)
        self.secretLabel.setBuddy(self.secretEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.providerCombo, self.nameEdit)
        QWidget.setTabOrder(self.nameEdit, self.kindCombo)
        QWidget.setTabOrder(self.kindCombo, self.hostEdit)
        QWidget.setTabOrder(self.hostEdit, self.portSpin)
        QWidget.setTabOrder(self.portSpin, self.securityCombo)
        QWidget.setTabOrder(self.securityCombo, self.userEdit)
        QWidget.setTabOrder(self.userEdit, self.fromEdit)
        QWidget.setTabOrder(self.fromEdit, self.fromNameEdit)
        QWidget.setTabOrder(self.fromNameEdit, self.caEdit)
        QWidget.setTabOrder(self.caEdit, self.timeoutSpin)
        QWidget.setTabOrder(self.timeoutSpin, self.methodCombo)
        QWidget.setTabOrder(self.methodCombo, self.headersEdit)
        QWidget.setTabOrder(self.headersEdit, self.bodyEdit)
        QWidget.setTabOrder(self.bodyEdit, self.successSpin)
        QWidget.setTabOrder(self.successSpin, self.idEdit)
        QWidget.setTabOrder(self.idEdit, self.secretEdit)
        QWidget.setTabOrder(self.secretEdit, self.plaintextCheck)
        QWidget.setTabOrder(self.plaintextCheck, self.testButton)
        QWidget.setTabOrder(self.testButton, self.buttons)

        self.retranslateUi(ProviderDialog)

        QMetaObject.connectSlotsByName(ProviderDialog)
    # setupUi

    def retranslateUi(self, ProviderDialog):
        ProviderDialog.setWindowTitle(QCoreApplication.translate("ProviderDialog", u"Message providers", None))
        self.providerLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Provider", None))
        self.nameLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Name", None))
        self.nameEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"e.g. mail, twilio-a", None))
        self.kindLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Kind", None))
        self.hostLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Host", None))
        self.portLabel.setText(QCoreApplication.translate("ProviderDialog", u"P&ort", None))
        self.securityLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Security", None))
        self.userLabel.setText(QCoreApplication.translate("ProviderDialog", u"&User", None))
        self.fromLabel.setText(QCoreApplication.translate("ProviderDialog", u"&From", None))
        self.fromNameLabel.setText(QCoreApplication.translate("ProviderDialog", u"From na&me", None))
        self.fromNameEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"Service Desk", None))
        self.caLabel.setText(QCoreApplication.translate("ProviderDialog", u"&CA file", None))
        self.caEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"empty: the system's certificate store", None))
        self.timeoutLabel.setText(QCoreApplication.translate("ProviderDialog", u"T&imeout (s)", None))
        self.methodLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Method", None))
        self.headersLabel.setText(QCoreApplication.translate("ProviderDialog", u"H&eaders", None))
        self.headersEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"Authorization: Bearer $secret  (one per line; $secret is the stored token)", None))
        self.bodyLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Body template", None))
        self.bodyEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"{\"to\": \"$to\", \"text\": \"$text\"}", None))
        self.successLabel.setText(QCoreApplication.translate("ProviderDialog", u"Success stat&us", None))
        self.idLabel.setText(QCoreApplication.translate("ProviderDialog", u"&Id field", None))
        self.idEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"e.g. id or data.message_id", None))
        self.secretLabel.setText(QCoreApplication.translate("ProviderDialog", u"Pass&word / token", None))
        self.secretEdit.setPlaceholderText(QCoreApplication.translate("ProviderDialog", u"leave empty to keep the stored one", None))
        self.secretWhere.setText("")
        self.plaintextCheck.setText(QCoreApplication.translate("ProviderDialog", u"Allow a plain text keyring (not recommended: anyone with your files can read the secrets)", None))
        self.testButton.setText(QCoreApplication.translate("ProviderDialog", u"&Test connection", None))
        self.testResult.setText("")
        self.orderLabel.setText("")
        self.formError.setText("")
    # retranslateUi

